{
  "targets": [
    {
      "target_name": "samsa_native",
      "sources": ["native/addon.c", "native/crc32c.c", "native/walk-records.c"],
      "cflags": ["-O3"]
    }
  ]
}
