# Empty dependencies file for stf_core.
# This may be replaced when dependencies are built.
