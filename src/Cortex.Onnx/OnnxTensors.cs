// OnnxTensors.cs — Cortex tensors to ONNX TensorProto and back (float32 and int64 only), with the
// checks that keep a hostile file from making us allocate what its bytes do not hold.
//
//   TensorProto: dims, data_type, and the values either in raw_data (little-endian, row-major) or in
//   a typed repeated field (float_data, int64_data, int32_data, double_data), or in an external file
//   (data_location = EXTERNAL, external_data: location, offset, length).
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Cortex.Onnx.Proto;
using Google.Protobuf;

namespace Cortex.Onnx;

internal static class OnnxTensors
{

    public static TensorProto Float(string name, ReadOnlySpan<float> values, ReadOnlySpan<int> dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        foreach (int d in dims)
            t.Dims.Add(d);
        var bytes = new byte[values.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(bytes);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    public static TensorProto Int64(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.Add(values);
        return t;
    }

    public static TensorProto Scalar(string name, float value)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.FloatData.Add(value);
        return t;
    }
}
