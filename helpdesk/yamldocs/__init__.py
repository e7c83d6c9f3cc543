"""Published versions of a YAML document (the routing rules, the IVR scripts): every publish
is a numbered row with its files, who and when; the newest is what the engines load."""
