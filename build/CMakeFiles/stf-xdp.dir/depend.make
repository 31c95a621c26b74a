# Empty dependencies file for stf-xdp.
# This may be replaced when dependencies are built.
