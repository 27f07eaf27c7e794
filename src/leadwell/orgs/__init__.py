"""Organizations, units, people and roles; importing people from CSV or XLSX."""
