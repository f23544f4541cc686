{
  "targets": [
    {
      "target_name": "pixie_net",
      "sources": ["pixie_net.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    }
  ]
}
