"""Cycles, assessments (one per leader), nominations, invitations and responses."""
