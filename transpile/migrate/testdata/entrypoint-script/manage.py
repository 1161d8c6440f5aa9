import sys
print("migrations applied")
