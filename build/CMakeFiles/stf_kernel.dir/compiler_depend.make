# Empty compiler generated dependencies file for stf_kernel.
# This may be replaced when dependencies are built.
