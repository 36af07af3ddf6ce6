SRCS_http := api/http.c
