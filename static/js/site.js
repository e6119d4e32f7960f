// Progressive enhancement for reader pages. Everything works without it.
