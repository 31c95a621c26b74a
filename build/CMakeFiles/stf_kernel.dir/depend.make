# Empty dependencies file for stf_kernel.
# This may be replaced when dependencies are built.
