file(REMOVE_RECURSE
  "libstf_cli.a"
)
