SRCS_api_server := api/server.c api/http.c api/json.c
