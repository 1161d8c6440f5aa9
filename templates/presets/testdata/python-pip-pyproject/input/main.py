import os
PORT = int(os.environ.get("PORT", "9000"))
