"""The Qt windows, views, table models, delegates and workers."""
