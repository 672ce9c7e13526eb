module signin/site

go 1.26.6
