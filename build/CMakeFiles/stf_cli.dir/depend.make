# Empty dependencies file for stf_cli.
# This may be replaced when dependencies are built.
