"""IVR scripts: YAML files in ivr_scripts/, loaded into nodes and run by a pure interpreter."""
