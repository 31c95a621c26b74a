file(REMOVE_RECURSE
  "libstf_kernel.a"
)
