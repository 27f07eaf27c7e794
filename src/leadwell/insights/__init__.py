"""Organization insights: the balance of managing and leading across units and levels."""
