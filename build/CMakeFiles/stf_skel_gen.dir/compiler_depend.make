# Empty custom commands generated dependencies file for stf_skel_gen.
# This may be replaced when dependencies are built.
