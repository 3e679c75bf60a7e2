"""Raster I/O, the class table, display and the synthetic demo: no project imports below this."""
