"""Reading and writing arrays safely: uploads in, CSV and .npy out."""
