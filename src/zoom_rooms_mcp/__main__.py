"""``python -m zoom_rooms_mcp`` behaves like the ``zoom-rooms-mcp`` command."""

from zoom_rooms_mcp.cli import main

if __name__ == "__main__":
    main()
