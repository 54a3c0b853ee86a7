import time, zipfile, io, re
import xml.etree.ElementTree as ET
import gpxpy
from benchmarks.activity_files import synthetic_strava_export
from logic.io.activities.parsers import parse_gpx
data = synthetic_strava_export(20, seconds=3600)
zf = zipfile.ZipFile(io.BytesIO(data))
raws = [zf.read(i) for i in zf.infolist() if i.filename.endswith('.gpx')]
def t(f):
    best=1e9
    for _ in range(3):
        t0=time.perf_counter(); f(); best=min(best,time.perf_counter()-t0)
    return best
b=t(lambda:[ET.fromstring(r) for r in raws])
s=t(lambda:[ET.XML(re.sub(r"""\sxmlns=(['"])[^'"]+\1""", '', r.decode(), count=1)) for r in raws])
g=t(lambda:[gpxpy.parse(r.decode()) for r in raws])
p=t(lambda:[parse_gpx(r,'x') for r in raws])
print(f"bare {b:.3f} str-nons {s:.3f} gpxpy.parse {g:.3f} ({g/b:.2f}x) parse_gpx {p:.3f} ({p/b:.2f}x) ours={p-g:.3f}")
