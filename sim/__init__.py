"""The simulated world: the reference behaviour of the Authenticator app's backup and
recovery, and everything around it (devices, cloud stores, identity providers).

A domain model: standard library plus cryptography, pyotp, zxing-cpp and Faker.
No I/O, no pytest, no hidden clock or randomness: both come in through ``World``.
"""

from sim.world import World

__all__ = ["World"]
