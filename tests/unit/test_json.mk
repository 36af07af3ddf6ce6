SRCS_json := api/json.c
