module example.com/migrate/hello

go 1.22
