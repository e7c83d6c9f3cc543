"""/admin/system: the effective settings, versions in force and the health of the parts."""
