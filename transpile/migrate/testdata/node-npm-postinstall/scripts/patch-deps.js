// patches a dependency after install
