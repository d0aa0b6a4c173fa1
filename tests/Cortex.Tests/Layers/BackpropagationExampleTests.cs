// The lectures' worked backpropagation example (Matt Mazur, "A Step by Step Backpropagation
// Example", 2015): a 2-2-2 network of sigmoid units trained one step with E = Σ ½(target − out)².
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Layers;

public class BackpropagationExampleTests
{
    [Fact]
    public void TwoTwoTwoSigmoidNetwork_MatchesTheWorkedExample()
    {
        var hidden = new Dense(2, 2);
        var output = new Dense(2, 2);
        // net_h1 = w1·i1 + w2·i2 + b1 and so on: rows of the (out, in) weight are the units.
        Tensor.FromArray([0.15f, 0.20f, 0.25f, 0.30f], new Shape(2, 2)).Span.CopyTo(hidden.Weight.Value.Span);
        hidden.Bias!.Value.Fill(0.35f);
        Tensor.FromArray([0.40f, 0.45f, 0.50f, 0.55f], new Shape(2, 2)).Span.CopyTo(output.Weight.Value.Span);
        output.Bias!.Value.Fill(0.60f);
        var model = new Sequential(hidden, new Sigmoid(), output, new Sigmoid());

        var x = Tensor.FromArray(new float[,] { { 0.05f, 0.10f } });
        float[] target = [0.01f, 0.99f];
        var outputs = model.Forward(x, training: true);

        // E = Σ ½(target − out)², and dE/dout = out − target
        double error = 0;
        var dOut = new Tensor(outputs.Shape);
        for (int i = 0; i < 2; i++)
        {
            double diff = target[i] - outputs.Span[i];
            error += 0.5 * diff * diff;
            dOut.Span[i] = outputs.Span[i] - target[i];
        }
        Assert.Equal(0.75136507, outputs.Span[0], 1e-6);
        Assert.Equal(0.772928465, outputs.Span[1], 1e-6);
        Assert.Equal(0.298371109, error, 1e-6);

        model.ZeroGradients();
        model.Backward(dOut);

        // one SGD step at learning rate 0.5 on the weights (the classic example leaves the biases alone)
        foreach (var w in new[] { hidden.Weight, output.Weight })
            w.Value.AddScaledInPlace(-0.5f, w.Gradient);

        Assert.Equal(0.35891648, output.Weight.Value[0, 0], 1e-6);   // w5
        Assert.Equal(0.408666186, output.Weight.Value[0, 1], 1e-6);  // w6
        Assert.Equal(0.511301270, output.Weight.Value[1, 0], 1e-6);  // w7
        Assert.Equal(0.561370121, output.Weight.Value[1, 1], 1e-6);  // w8
        Assert.Equal(0.149780716, hidden.Weight.Value[0, 0], 1e-6);  // w1
        Assert.Equal(0.19956143, hidden.Weight.Value[0, 1], 1e-6);   // w2
        Assert.Equal(0.24975114, hidden.Weight.Value[1, 0], 1e-6);   // w3
        Assert.Equal(0.29950229, hidden.Weight.Value[1, 1], 1e-6);   // w4
    }
}
