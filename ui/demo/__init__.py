"""Demo and test tooling, kept out of the domain (``scanner``) and the sync code.

- ``scene``: synthetic gate frames (a ticket held up at an angle, in glare, on a
  phone...) and gate videos, for the demo's camera, the tests and the benchmarks;
- ``seed``: a demo event with tickets, made through the server's admin API;
- ``offline``: ``admitone demo``, the gate's verdicts with the network cable pulled;
- ``kiosk``: ``make demo``, a local server, a demo event and the kiosk on a gate video.

Nothing here is imported by the kiosk's or the server's running code.
"""
