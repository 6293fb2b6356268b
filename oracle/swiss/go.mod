module gomap/oracle/swiss

go 1.27
