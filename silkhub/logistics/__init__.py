"""Four-port logistics: places, equipment and transports, DCSA Track and Trace events,
tracking of containers across sea, rail, road and air."""
