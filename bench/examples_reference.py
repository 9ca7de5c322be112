"""The two real-data example jobs written the usual way, with pandas and TensorFlow, for
bench/examples_bench.sh to time beside `sds build` (the same steps, not byte-identical output).

Usage: examples_reference.py SHARED_DATA_DIR OUT_DIR
Prints 'robot S' and 'fitbit S': each job's seconds after imports (pandas, TF), one line each.
"""
import os
import sqlite3
import sys
import time

import numpy as np
import pandas as pd
import tensorflow as tf

data, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def feature_floats(v):
    return tf.train.Feature(float_list=tf.train.FloatList(value=np.asarray(v, dtype=np.float32)))


def feature_bytes(s):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[s.encode()]))


def robot():
    df = pd.read_csv(os.path.join(data, "machina/sample.csv"), dtype={"run_uuid": str, "robot_id": str})
    df["time"] = pd.to_datetime(df["time"], format="ISO8601", utc=True)
    df = df[df["value"].between(-100000, 100000)]
    df["name"] = df["field"] + "_" + df["robot_id"]
    rows, stats = [], []
    with tf.io.TFRecordWriter(os.path.join(out, "robot.tfrecord")) as w:
        for run, g in df.groupby("run_uuid", sort=True):
            wide = g.pivot_table(index="time", columns="name", values="value", aggfunc="mean").sort_index()
            cols = [f"{a}_{r}" for r in "12" for a in ("x", "y", "z", "fx", "fy", "fz")]
            wide = wide.reindex(columns=cols)
            wide = wide.interpolate(method="time", limit_area="inside")
            dt = wide.index.to_series().diff().dt.total_seconds().to_numpy()
            for r in "12":
                for a in "xyz":
                    v = wide[f"{a}_{r}"].diff().to_numpy() / dt
                    wide[f"v{a}_{r}"] = v
                    wide[f"a{a}_{r}"] = np.diff(v, prepend=np.nan) / dt
                wide[f"v{r}"] = np.sqrt(sum(wide[f"v{a}_{r}"] ** 2 for a in "xyz"))
                wide[f"a{r}"] = np.sqrt(sum(wide[f"a{a}_{r}"] ** 2 for a in "xyz"))
                wide[f"f{r}"] = np.sqrt(sum(wide[f"f{a}_{r}"] ** 2 for a in "xyz"))
            step = {r: np.sqrt(sum(wide[f"{a}_{r}"].diff() ** 2 for a in "xyz")).sum() for r in "12"}
            stats.append((run, str(wide.index[0]), str(wide.index[-1]),
                          (wide.index[-1] - wide.index[0]).total_seconds(), len(wide), step["1"], step["2"]))
            feats = {f"sensor/{c}": feature_floats(wide[c].to_numpy()) for c in wide.columns}
            feats["partition"] = feature_bytes(run)
            w.write(tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString())
    table = pd.DataFrame(stats, columns=["partition", "start", "stop", "runtime_s", "samples", "distance_1", "distance_2"])
    table.to_csv(os.path.join(out, "statistics-machina.csv"), index=False)
    with sqlite3.connect(os.path.join(out, "statistics.sqlite")) as db:
        table.to_sql("machina", db, if_exists="replace", index=False)


def fitbit():
    def minutes(name, value):
        wide = pd.read_csv(os.path.join(data, f"fitbit/{name}"))
        long = wide.melt(id_vars=["Id", "ActivityHour"], var_name="col", value_name=value)
        long["time"] = pd.to_datetime(long["ActivityHour"], format="%m/%d/%Y %I:%M:%S %p") \
            + pd.to_timedelta(long["col"].str[-2:].astype(int), unit="m")
        return long[["Id", "time", value]]
    steps = minutes("minuteStepsWide_merged.csv", "steps")
    inten = minutes("minuteIntensitiesWide_merged.csv", "intensity")
    cal = pd.read_csv(os.path.join(data, "fitbit/hourlyCalories_merged.csv"))
    cal["time"] = pd.to_datetime(cal["Activity Day"] + " " + cal["ActivityHour"], format="%m/%d/%Y %H:%M:%S")
    sleep = pd.read_csv(os.path.join(data, "fitbit/sleepDay_merged.csv"))
    sleep["day"] = pd.to_datetime(sleep["SleepDay"], format="%m/%d/%Y").dt.date
    sleep = sleep.groupby(["Id", "day"])["TotalMinutesAsleep"].last()
    minute = steps.merge(inten, on=["Id", "time"], how="outer")
    minute["day"] = minute["time"].dt.date
    cal["day"] = cal["time"].dt.date
    count = 0
    with tf.io.TFRecordWriter(os.path.join(out, "fitbit.tfrecord")) as w:
        days = {k: g for k, g in cal.groupby(["Id", "day"])}
        kept = []
        for (sid, day), g in minute.groupby(["Id", "day"], sort=True):
            if (sid, day) not in sleep.index:
                continue
            grid = pd.date_range(pd.Timestamp(day), periods=1440, freq="min")
            g = g.set_index("time").reindex(grid)
            if g["steps"].notna().mean() < 0.9 or g["intensity"].notna().mean() < 0.9:
                continue
            c = days.get((sid, day), pd.DataFrame(columns=["time", "Calories"])).set_index("time")["Calories"]
            c = c.reindex(pd.date_range(pd.Timestamp(day), periods=24, freq="h"))
            kept.append((sid, day, g, c))
        per_subject = pd.Series([k[0] for k in kept]).value_counts()
        for sid, day, g, c in kept:
            if per_subject[sid] < 2:
                continue
            label = sleep[(sid, day)]
            caption = (f"Day {day}: {g['steps'].sum():.0f} steps, mean intensity {g['intensity'].mean():.2f}, "
                       f"{c.sum():.0f} kcal; slept {label} min.")
            feats = {"sensor/steps": feature_floats(g["steps"].fillna(0)), "sensor/intensity": feature_floats(g["intensity"].fillna(0)),
                     "sensor/calories": feature_floats(c.fillna(0)), "label/minutes_asleep": feature_floats([label]),
                     "caption": feature_bytes(caption), "partition": feature_bytes(str(sid))}
            w.write(tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString())
            count += 1
    return count


for name, job in (("robot", robot), ("fitbit", fitbit)):
    t0 = time.perf_counter()
    result = job()
    print(f"{name} {time.perf_counter() - t0:.3f}" + (f" ({result} examples)" if result else ""), flush=True)
