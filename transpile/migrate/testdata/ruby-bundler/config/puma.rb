port 9292
