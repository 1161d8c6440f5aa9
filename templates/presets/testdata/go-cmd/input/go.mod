module example.com/acme/billing/v2

go 1.22
