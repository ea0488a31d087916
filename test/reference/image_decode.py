# Reference for test/image_decode.test.ts: PIL's Image.open(f).convert("RGB") of each file
# (torchvision's default loader), or the error PIL raises.
import json
import sys

from PIL import Image

out = {}
for f in json.load(sys.stdin)["files"]:
    try:
        with Image.open(f) as img:
            rgb = img.convert("RGB")
            out[f] = {"width": rgb.width, "height": rgb.height, "mode": img.mode, "pixels": list(rgb.tobytes())}
    except Exception as e:  # noqa: BLE001 - the message is the reference
        out[f] = {"error": f"{type(e).__name__}: {e}"}
json.dump(out, sys.stdout)
