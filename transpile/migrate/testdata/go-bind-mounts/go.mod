module gosvc

go 1.22
