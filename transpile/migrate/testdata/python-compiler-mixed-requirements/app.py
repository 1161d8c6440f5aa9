app=1
