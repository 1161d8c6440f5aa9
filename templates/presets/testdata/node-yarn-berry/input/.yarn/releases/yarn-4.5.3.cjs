// the yarn release a project commits (stub for the test)
