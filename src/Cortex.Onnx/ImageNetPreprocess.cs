// ImageNetPreprocess.cs — the preprocessing of ML.NET's ResNet-18 featurizer as the first layer of a
// model, so that a model file records it and `cortex eval`/`predict` apply it like training did.
//
// Cortex's data sources give pixels/255 in [0, 1], gray (1 channel) or RGB (3). The pretrained
// network takes planar BGR on the 0–255 scale minus a per-pixel mean image, at S×S (224 in the
// package; ResNetPreprocess.onnx: Split RGB, Concat as B, G, R, Sub MeanImage):
//
//   y[n, c] = 255 · resize(x[n, src(c)]) − mean[c]      c = 0, 1, 2 (B, G, R)
//   src(c)  = 0 for gray input (replicated to 3 channels), 2 − c for RGB
//   resize  = bilinear to S×S, half-pixel centres (as ImageResize in Cortex.Data); identity when H = W = S
//
// backward (linear in x):  dx[n, src(c)] += 255 · resizeᵀ(dy[n, c])
//
// The mean image is a buffer ("mean_image", (3, S, S), B, G, R), saved with the model.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Onnx;

/// <summary>
/// (N, 1 or 3, H, W) pixels in [0, 1] → (N, 3, S, S) BGR on the 0–255 scale minus a mean image: the
/// ImageNet ResNet-18's preprocessing as a layer (no parameters).
/// </summary>
/// <example><code>
/// var prep = new ImageNetPreprocess(new Shape(1, 28, 28), mean);   // mean: (3, 224, 224), BGR
/// var x = prep.Forward(images, training: false);                     // (N, 3, 224, 224)
/// </code></example>
public sealed class ImageNetPreprocess : Layer
{
    private readonly Tensor _mean;
    private readonly int _channels, _height, _width, _size;
    private readonly Taps _rows, _columns;
    private Tensor? _input, _output, _inputGradient;

    /// <summary>Creates the layer for inputs of <paramref name="input"/> (C, H, W), C = 1 or 3, and a mean image (3, S, S).</summary>
    public ImageNetPreprocess(Shape input, Tensor meanImage, string name = "preprocess") : base(name)
    {
        ArgumentNullException.ThrowIfNull(meanImage);
        if (input.Rank != 3 || input[0] is not (1 or 3) || input[1] < 1 || input[2] < 1)
            throw new ArgumentException($"ImageNetPreprocess: expected an input (C, H, W) with 1 (gray) or 3 (RGB) channels, got {input}.", nameof(input));
        if (meanImage.Rank != 3 || meanImage.Shape[0] != 3 || meanImage.Shape[1] != meanImage.Shape[2])
            throw new ArgumentException($"ImageNetPreprocess: expected a mean image (3, S, S), got {meanImage.Shape}.", nameof(meanImage));
        _channels = input[0];
        _height = input[1];
        _width = input[2];
        _size = meanImage.Shape[1];
        _mean = meanImage;
        _rows = new Taps(_height, _size);
        _columns = new Taps(_width, _size);
    }

    /// <summary>The side S of the network's input.</summary>
    public int Size => _size;

    /// <summary>The mean image, (3, S, S) in B, G, R order, 0–255 scale.</summary>
    public Tensor MeanImage => _mean;

    /// <inheritdoc />
    public override IEnumerable<(string Name, Tensor Value)> Buffers => [("mean_image", _mean)];

    /// <inheritdoc />
    public override Shape OutputShape(Shape input)
    {
        if (input.Rank != 4 || input[1] != _channels || input[2] != _height || input[3] != _width)
            throw InputShapeError($"[N, {_channels}, {_height}, {_width}]", input, "the preprocessing was built for these images (pixels/255).");
        return new Shape(input[0], 3, _size, _size);
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = OutputShape(input.Shape);
        if (_output is null || _output.Shape != shape)
            _output = new Tensor(shape);
        _input = input;
        int n = input.Shape[0], inPlane = _height * _width, outPlane = _size * _size;
        var x = input.Span;
        var y = _output.Span;
        var mean = _mean.Span;
        var scratch = new float[_height * _size];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                int src = _channels == 1 ? 0 : 2 - c;
                var dst = y.Slice(((i * 3) + c) * outPlane, outPlane);
                Resize(x.Slice(((i * _channels) + src) * inPlane, inPlane), dst, scratch);
                var m = mean.Slice(c * outPlane, outPlane);
                for (int p = 0; p < outPlane; p++)
                    dst[p] = (255f * dst[p]) - m[p];
            }
        }
        return _output;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_input is null || _output is null)
            throw BackwardBeforeForward();
        if (outputGradient.Shape != _output.Shape)
            throw OutputGradientShapeError(_output.Shape, outputGradient.Shape);
        if (!InputGradientRequired)
            return NoInputGradient;
        if (_inputGradient is null || _inputGradient.Shape != _input.Shape)
            _inputGradient = new Tensor(_input.Shape);
        var dx = _inputGradient.Span;
        dx.Clear();
        var dy = outputGradient.Span;
        int n = _input.Shape[0], inPlane = _height * _width, outPlane = _size * _size;
        var scratch = new float[_height * _size];
        var plane = new float[inPlane];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                int src = _channels == 1 ? 0 : 2 - c;
                ResizeTransposed(dy.Slice(((i * 3) + c) * outPlane, outPlane), plane, scratch);
                var target = dx.Slice(((i * _channels) + src) * inPlane, inPlane);
                for (int p = 0; p < inPlane; p++)
                    target[p] += 255f * plane[p];
            }
        }
        return _inputGradient;
    }

    // (H, W) → (S, S): columns first into scratch (H, S), then rows.
    private void Resize(ReadOnlySpan<float> source, Span<float> destination, Span<float> scratch)
    {
        for (int r = 0; r < _height; r++)
        {
            var row = source.Slice(r * _width, _width);
            var output = scratch.Slice(r * _size, _size);
            for (int j = 0; j < _size; j++)
                output[j] = row[_columns.Low[j]] + (_columns.Weight[j] * (row[_columns.High[j]] - row[_columns.Low[j]]));
        }
        for (int i = 0; i < _size; i++)
        {
            var low = scratch.Slice(_rows.Low[i] * _size, _size);
            var high = scratch.Slice(_rows.High[i] * _size, _size);
            float w = _rows.Weight[i];
            var output = destination.Slice(i * _size, _size);
            for (int j = 0; j < _size; j++)
                output[j] = low[j] + (w * (high[j] - low[j]));
        }
    }

    // The adjoint of Resize: (S, S) → (H, W), every tap's weight sent back to the pixel it read.
    private void ResizeTransposed(ReadOnlySpan<float> gradient, Span<float> destination, Span<float> scratch)
    {
        scratch.Clear();
        for (int i = 0; i < _size; i++)
        {
            var g = gradient.Slice(i * _size, _size);
            var low = scratch.Slice(_rows.Low[i] * _size, _size);
            float w = _rows.Weight[i];
            for (int j = 0; j < _size; j++)
                low[j] += (1f - w) * g[j];
            var high = scratch.Slice(_rows.High[i] * _size, _size);
            for (int j = 0; j < _size; j++)
                high[j] += w * g[j];
        }
        destination.Clear();
        for (int r = 0; r < _height; r++)
        {
            var s = scratch.Slice(r * _size, _size);
            var row = destination.Slice(r * _width, _width);
            for (int j = 0; j < _size; j++)
            {
                row[_columns.Low[j]] += (1f - _columns.Weight[j]) * s[j];
                row[_columns.High[j]] += _columns.Weight[j] * s[j];
            }
        }
    }

    /// <summary>
    /// Bilinear resize of a (3, H, W) image to (3, S, S), half-pixel centres, edges replicated: how a
    /// smaller network input gets its mean image (224 → 112 averages each 2×2 block exactly).
    /// </summary>
    public static Tensor ResizeImage(Tensor image, int size)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (image.Rank != 3)
            throw new ArgumentException($"ImageNetPreprocess: expected an image (C, H, W), got {image.Shape}.", nameof(image));
        int c = image.Shape[0], h = image.Shape[1], w = image.Shape[2];
        var resized = new Tensor(new Shape(c, size, size));
        var rows = new Taps(h, size);
        var columns = new Taps(w, size);
        var scratch = new float[h * size];
        for (int k = 0; k < c; k++)
        {
            var source = image.Span.Slice(k * h * w, h * w);
            var destination = resized.Span.Slice(k * size * size, size * size);
            for (int r = 0; r < h; r++)
            {
                for (int j = 0; j < size; j++)
                    scratch[(r * size) + j] = source[(r * w) + columns.Low[j]] + (columns.Weight[j] * (source[(r * w) + columns.High[j]] - source[(r * w) + columns.Low[j]]));
            }
            for (int i = 0; i < size; i++)
            {
                for (int j = 0; j < size; j++)
                {
                    float low = scratch[(rows.Low[i] * size) + j], high = scratch[(rows.High[i] * size) + j];
                    destination[(i * size) + j] = low + (rows.Weight[i] * (high - low));
                }
            }
        }
        return resized;
    }

    // Output index o of a side n → s resize reads source o·(n/s) + (n/s − 1)/2 (half-pixel centres):
    // Low and High (clamped to the image) and the weight of High.
    private sealed class Taps
    {
        public Taps(int source, int target)
        {
            Low = new int[target];
            High = new int[target];
            Weight = new float[target];
            double scale = (double)source / target;
            for (int o = 0; o < target; o++)
            {
                double s = ((o + 0.5) * scale) - 0.5;
                int i = (int)Math.Floor(s);
                Weight[o] = (float)(s - i);
                Low[o] = Math.Clamp(i, 0, source - 1);
                High[o] = Math.Clamp(i + 1, 0, source - 1);
            }
        }

        public int[] Low { get; }

        public int[] High { get; }

        public float[] Weight { get; }
    }
}
