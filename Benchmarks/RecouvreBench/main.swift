import RecouvreStore; print("x")
