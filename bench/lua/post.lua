-- A bodiless POST (`POST /api/v1/carts` opens a guest cart).
wrk.method = "POST"
