module x

go 1.22

toolchain go1.23.2
