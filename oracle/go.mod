module gomap/oracle

go 1.19
