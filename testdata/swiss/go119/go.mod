module g119
go 1.19
