file(REMOVE_RECURSE
  "libstf_core.a"
)
