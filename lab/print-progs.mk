# Included after a kselftest Makefile: prints the programs that are tests.
print-progs:
	@echo $(TEST_GEN_PROGS) $(TEST_PROGS)
