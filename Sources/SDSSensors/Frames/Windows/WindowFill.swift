/// Forward fill of a window channel's empty slots, inside the window only.
///
/// A run is a maximal stretch of empty (NaN) slots. It is filled, every slot with the value
/// of the slot just before it, when that slot holds a value (so a run at the window start is
/// never filled: nothing carries across window boundaries) and the run is at most `maxSlots`
/// long. A longer run stays empty, not even filled in part; a run reaching the window's end
/// counts its length up to the end.
enum WindowFill {
    static func forward(_ values: inout ContiguousArray<Double>, maxSlots: Int) {
        var i = 0
        let n = values.count
        while i < n {
            guard values[i].isNaN else { i += 1; continue }
            var j = i
            while j < n && values[j].isNaN { j += 1 }
            if i > 0 && j - i <= maxSlots {
                let v = values[i - 1]
                for k in i..<j { values[k] = v }
            }
            i = j
        }
    }
}
