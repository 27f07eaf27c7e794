"""The rater's survey behind a token link."""
