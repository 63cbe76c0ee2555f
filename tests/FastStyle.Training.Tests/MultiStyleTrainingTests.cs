using FastStyle.Data;
using FastStyle.Data.Imaging;
using FastStyle.Inference;
using FastStyle.Training.Export;
using FastStyle.Training.Losses;
using FastStyle.Training.Networks;
using FastStyle.Training.Runs;
using FastStyle.Training.Tensors;
using TorchSharp;

namespace FastStyle.Training.Tests;

/// <summary>`styles:` configs, multi-style training and `train: norm_only` on the tiny trainer setup.</summary>
public sealed class MultiStyleTrainingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>The tiny setup with two paintings that differ a lot: the smooth fixture image and fine stripes.</summary>
    internal static string WriteTwoStyles(TempDir dir, string extra = "")
    {
        string path = TrainerTests.WriteSetup(dir, extra);
        WriteStripes(dir.File("stripes.png"));
        string text = File.ReadAllText(path).Replace("style_image: style.png\n", """
            styles:
              - {name: smooth, image: style.png}
              - {name: stripes, image: stripes.png, weight: 2}

            """);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>WriteTwoStyles' config, trained 3 steps into dir/source: a network for init_from.</summary>
    static (string Config, Checkpoint Source) TrainTwoStyleSource(TempDir dir)
    {
        string config = WriteTwoStyles(dir);
        return (config, Checkpoint.Load(TrainerTests.Train(TrainingConfig.Load(config), dir.File("source"), 3).Checkpoint!));
    }

    /// <summary>A `train: norm_only` config on dir/source (TrainTwoStyleSource) with one style.</summary>
    static string WriteNormOnlyOnSource(TempDir dir, string twoStyles, string file, string name, string image)
    {
        string path = dir.File(file);
        File.WriteAllText(path, WithStyleBlock(twoStyles, $"  - {{name: {name}, image: {image}}}\ntrain: norm_only\ninit_from: source\n"));
        return path;
    }

    /// <summary>WriteTwoStyles' config text with its two-style list replaced (by other styles and keys).</summary>
    static string WithStyleBlock(string twoStyles, string replacement) => File.ReadAllText(twoStyles).Replace("""
          - {name: smooth, image: style.png}
          - {name: stripes, image: stripes.png, weight: 2}
        """, replacement);

    static void WriteStripes(string path)
    {
        var image = new RgbImage(32, 32);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                float v = (x / 2 + y / 2) % 2 == 0 ? 0.95f : 0.05f;
                image.Pixels[y * 32 + x] = v;
                image.Pixels[1024 + y * 32 + x] = 1 - v;
                image.Pixels[2048 + y * 32 + x] = 0.5f;
            }
        ImageFile.Save(image, path);
    }

    [Fact]
    public void A_styles_list_names_each_style_and_gives_a_network_with_one_row_per_style()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteTwoStyles(dir));
        Assert.Equal(["smooth", "stripes"], config.Styles.Select(s => s.Name));
        Assert.Equal([1.0, 2.0], config.Styles.Select(s => s.Weight));
        Assert.Equal([32, 32], config.Styles.Select(s => s.StyleSize));
        Assert.Equal(dir.File("stripes.png"), config.Styles[1].Image);
        Assert.Equal("smooth+stripes", config.StyleName);
        Assert.Equal(2, config.Architecture.Styles);
    }

    [Fact]
    public void The_single_style_form_describes_itself_as_before()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(TrainerTests.WriteSetup(dir));
        string text = config.Describe();
        Assert.StartsWith($"style_image: {dir.File("style.png")}\nstyle_name: style\n", text);
        Assert.DoesNotContain("styles", text);
        Assert.DoesNotContain("train:", text);
        Assert.Contains("network: width 0.125, base_channels 4, residual_blocks 1, upsample nearest\n", text);
        Assert.Equal(1, config.Architecture.Styles);
    }

    [Theory]
    [InlineData("style_name: x", "give either 'style_image' (and 'style_name') or 'styles', not both")]
    [InlineData("train: norm_only", "'train: norm_only' adds styles to a trained network and needs 'init_from'")]
    public void Bad_style_lists_are_one_line_errors_naming_the_config(string extra, string expected)
    {
        using var dir = new TempDir();
        string path = WriteTwoStyles(dir, extra);
        var e = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path));
        Assert.Contains($"config '{path}'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Style_names_must_be_unique_and_usable_in_a_style_option()
    {
        using var dir = new TempDir();
        string path = WriteTwoStyles(dir);
        File.WriteAllText(path, File.ReadAllText(path).Replace("name: stripes", "name: smooth"));
        Assert.Contains("style name 'smooth' appears twice", Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path)).Message);
        File.WriteAllText(path, File.ReadAllText(path).Replace("name: smooth, image: style.png", "name: 'a=b', image: style.png"));
        Assert.Contains("may hold only letters", Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path)).Message);
    }

    [Fact]
    public void The_style_stream_is_a_fixed_function_of_seed_and_step_that_uses_every_style()
    {
        var first = Enumerable.Range(1, 200).Select(s => StyleSchedule.At(3, s, StyleSchedule.Uniform(3))).ToList();
        Assert.Equal(first, Enumerable.Range(1, 200).Select(s => StyleSchedule.At(3, s, StyleSchedule.Uniform(3))));
        Assert.All(Enumerable.Range(0, 3), i => Assert.InRange(first.Count(x => x == i), 40, 90));
        Assert.NotEqual(first, Enumerable.Range(1, 200).Select(s => StyleSchedule.At(4, s, StyleSchedule.Uniform(3))));
        Assert.All(Enumerable.Range(1, 20), s => Assert.Equal(0, StyleSchedule.At(3, s, StyleSchedule.Uniform(1))));
    }

    [Fact]
    public void Equal_shares_draw_exactly_the_stream_of_runs_made_before_shares_existed()
    {
        // The first draws of seed 42 (every shipped config's seed) with five styles, as checkpoints of
        // earlier runs drew them: a resume must keep drawing the same.
        Assert.Equal([1, 4, 0, 3, 1, 3, 2, 1, 2, 1, 0, 3], Enumerable.Range(1, 12).Select(s => StyleSchedule.At(42, s, StyleSchedule.Uniform(5))));
        Assert.Equal(Enumerable.Range(1, 300).Select(s => StyleSchedule.At(42, s, StyleSchedule.Uniform(5))),
            Enumerable.Range(1, 300).Select(s => StyleSchedule.At(42, s, [2.5, 2.5, 2.5, 2.5, 2.5])));
    }

    [Fact]
    public void Styles_are_drawn_in_proportion_to_their_shares()
    {
        double[] shares = [1, 3, 0, 4];
        var counts = new int[shares.Length];
        foreach (var step in Enumerable.Range(1, 8000)) counts[StyleSchedule.At(7, step, shares)]++;
        Assert.Equal(0, counts[2]);
        Assert.InRange(counts[0], 850, 1150);
        Assert.InRange(counts[1], 2750, 3250);
        Assert.InRange(counts[3], 3700, 4300);
    }

    [Fact]
    public void A_share_is_read_per_style_recorded_only_when_set_and_cannot_be_zero_for_all()
    {
        using var dir = new TempDir();
        string path = WriteTwoStyles(dir);
        Assert.All(TrainingConfig.Load(path).Styles, s => Assert.Equal(StyleSpec.DefaultShare, s.Share));
        Assert.DoesNotContain("share", TrainingConfig.Load(path).Describe());
        File.WriteAllText(path, File.ReadAllText(path).Replace("image: stripes.png, weight: 2}", "image: stripes.png, weight: 2, share: 3}"));
        var shared = TrainingConfig.Load(path);
        Assert.Equal([1.0, 3.0], shared.Styles.Select(s => s.Share));
        Assert.Contains("share 3", shared.Describe());
        File.WriteAllText(path, File.ReadAllText(path).Replace("share: 3}", "share: 0}").Replace("image: style.png}", "image: style.png, share: 0}"));
        Assert.Contains("every style has 'share: 0'", Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path)).Message);
    }

    [Fact]
    public void Per_image_sampling_gives_each_image_its_own_draw_and_batch_sampling_one_per_batch()
    {
        var perBatch = Enumerable.Range(1, 50).Select(s => StyleSchedule.ForBatch(3, s, StyleSchedule.Uniform(3), 4, StyleSampling.Batch)).ToList();
        Assert.All(perBatch.Select((b, i) => (b, step: i + 1)), x => Assert.All(x.b, style => Assert.Equal(StyleSchedule.At(3, x.step, StyleSchedule.Uniform(3)), style)));
        var perImage = Enumerable.Range(1, 50).Select(s => StyleSchedule.ForBatch(3, s, StyleSchedule.Uniform(3), 4, StyleSampling.Image)).ToList();
        Assert.Equal(perImage, Enumerable.Range(1, 50).Select(s => StyleSchedule.ForBatch(3, s, StyleSchedule.Uniform(3), 4, StyleSampling.Image)));
        Assert.True(perImage.Count(b => b.Distinct().Count() > 1) > 40, "most batches should mix styles");
        Assert.All(Enumerable.Range(0, 3), i => Assert.InRange(perImage.SelectMany(b => b).Count(x => x == i), 40, 95));
    }

    [Fact]
    public void Style_sampling_is_per_image_unless_the_config_asks_for_one_style_per_batch()
    {
        using var dir = new TempDir();
        string path = WriteTwoStyles(dir);
        var byDefault = TrainingConfig.Load(path);
        Assert.Equal(StyleSampling.Image, byDefault.StyleSampling);
        Assert.DoesNotContain("style_sampling", byDefault.Describe());
        var perBatch = TrainingConfig.Load(path, ["style_sampling=batch"]);
        Assert.Equal(StyleSampling.Batch, perBatch.StyleSampling);
        Assert.Contains("style_sampling: batch\n", perBatch.Describe());
        Assert.NotEqual(byDefault.Hash, perBatch.Hash);
        var e = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path, ["style_sampling=painting"]));
        Assert.Contains("style_sampling", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_norm_rate_scale_is_read_recorded_only_when_set_and_range_checked()
    {
        using var dir = new TempDir();
        string path = WriteTwoStyles(dir);
        var byDefault = TrainingConfig.Load(path);
        Assert.Equal(1.0, byDefault.NormLearningRateScale);
        Assert.DoesNotContain("norm_lr_scale", byDefault.Describe());
        var scaled = TrainingConfig.Load(path, ["norm_lr_scale=4"]);
        Assert.Equal(4.0, scaled.NormLearningRateScale);
        Assert.Contains("norm_lr_scale: 4\n", scaled.Describe());
        Assert.NotEqual(byDefault.Hash, scaled.Hash);
        var e = Assert.Throws<FastStyleError>(() => TrainingConfig.Load(path, ["norm_lr_scale=-1"]));
        Assert.Contains("norm_lr_scale", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_batch_of_mixed_styles_has_the_weighted_mean_of_each_images_own_style_loss()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteTwoStyles(dir));
        var loss = PerceptualLoss.Load(Fixtures.TinyVggPath, config.Loss);
        using var scope = torch.NewDisposeScope();
        var targets = config.Styles.Select(s => loss.Targets(ImageTensors.ToTensor(ImageFile.Load(s.Image)), null)).ToList();
        var a = ImageTensors.ToTensor(Fixtures.SmoothImage(32, 32, seed: 3));
        var b = ImageTensors.ToTensor(Fixtures.SmoothImage(32, 32, seed: 4));
        double Alone(torch.Tensor image, int style) => loss.Compute(image, targets[style].StyleGrams, null).ToValues().Style;

        var grams = targets[0].StyleGrams.Keys.ToDictionary(l => l, l => torch.cat([targets[0].StyleGrams[l], targets[1].StyleGrams[l]], 0));
        double mixed = loss.Compute(torch.cat([a, b], 0), grams, null, imageStyleScales: torch.tensor(new[] { 1f, 2f })).ToValues().Style;

        double expected = (1 * Alone(a, 0) + 2 * Alone(b, 1)) / 2;
        output.WriteLine($"mixed batch {mixed:G6}, weighted mean of the images alone {expected:G6}");
        Assert.Equal(expected, mixed, expected * 1e-5);
        Assert.True(Math.Abs(mixed - (1 * Alone(a, 1) + 2 * Alone(b, 0)) / 2) > expected * 1e-3, "the swapped targets must give another loss");
    }

    [Fact]
    public void A_step_on_a_mixed_batch_trains_the_norm_rows_of_exactly_the_styles_in_it()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteTwoStyles(dir), ["image_size=16"]);
        var loss = PerceptualLoss.Load(Fixtures.TinyVggPath, config.Loss);
        using var scope = torch.NewDisposeScope();
        var styles = config.Styles.Select((s, i) => new TrainingStyle(s.Name, loss.Targets(ImageTensors.ToTensor(ImageFile.Load(s.Image)), null), s.Weight, i)).ToList();
        var net = new TransformerNet(config.Architecture);
        using var adam = new AdamOptimizer(net.named_parameters(), 1e-3);
        var step = new TrainingStep(net, loss, styles, adam, torch.ScalarType.Float32);
        var batch = new FastStyle.Data.Datasets.TrainingBatch(Fixtures.RandomTensor([2, 3, 16, 16], 5).sigmoid().data<float>().ToArray(), 2, 16, new(0, 0));
        string normScale = TransformerWeightLayout.NormTensors(config.Architecture).First().Name;
        var scale = net.named_parameters().Single(p => p.name == normScale).parameter;

        step.Run(batch, [0, 1]);
        Assert.All(new[] { 0, 1 }, row => Assert.True(scale.grad!.select(0, row).abs().sum().item<float>() > 0, $"row {row} got no gradient"));
        step.Run(batch, [1, 1]);
        Assert.Equal(0f, scale.grad!.select(0, 0).abs().sum().item<float>());
        Assert.True(scale.grad!.select(0, 1).abs().sum().item<float>() > 0);
    }

    [Fact]
    public void A_two_style_run_stores_the_style_names_and_hashes_in_order_and_resumes_exactly()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteTwoStyles(dir), ["checkpoint_every=3"]);
        var straight = TrainerTests.Train(config, dir.File("straight"), 6);
        var first = TrainerTests.Train(config, dir.File("split"), 3);
        var resumed = TrainerTests.Train(config, dir.File("split"), 6, resume: first.Checkpoint);

        var a = Checkpoint.Load(straight.Checkpoint!);
        Assert.Equal(2, a.Architecture.Styles);
        Assert.Equal([new StyleEntry("smooth", Reporting.FileHash.Sha256OfFile(dir.File("style.png"))),
            new StyleEntry("stripes", Reporting.FileHash.Sha256OfFile(dir.File("stripes.png")))], a.Styles);
        var b = Checkpoint.Load(resumed.Checkpoint!);
        foreach (var (name, t) in a.NetworkWeights) Assert.Equal(t.Values, b.NetworkWeights[name].Values);
    }

    /// <summary>metrics.csv as header names to per-row values (NaN cells parse as NaN; the precision column is left out).</summary>
    static List<Dictionary<string, double>> ReadMetrics(string run)
    {
        var lines = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(line => line.Split(',').Select((cell, i) => (header[i], cell)).Where(c => c.Item1 != "precision")
            .ToDictionary(c => c.Item1, c => double.Parse(c.cell, System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }

    [Fact]
    public void Each_paintings_style_loss_is_logged_from_the_images_drawn_for_it()
    {
        using var dir = new TempDir();
        // One style per batch: each row's painting column is that step's whole style loss, the other's is NaN.
        var config = TrainingConfig.Load(WriteTwoStyles(dir, "style_sampling: batch"));
        TrainerTests.Train(config, dir.File("batch"), 6);
        var shares = config.Styles.Select(s => s.Share).ToArray();
        var rows = ReadMetrics(dir.File("batch"));
        Assert.Equal(6, rows.Count);
        var seen = new HashSet<string>();
        foreach (var row in rows)
        {
            string drawn = config.Styles[StyleSchedule.ForBatch(config.Seed, (long)row["step"], shares, config.BatchSize, StyleSampling.Batch)[0]].Name;
            string other = drawn == "smooth" ? "stripes" : "smooth";
            Assert.Equal(row["style"], row["style." + drawn], row["style"] * 1e-5);
            Assert.True(double.IsNaN(row["style." + other]), $"step {row["step"]}: '{other}' was not drawn but has {row["style." + other]}");
            seen.Add(drawn);
        }
        Assert.Equal(2, seen.Count);

        // One style per image: the columns, weighted by each step's draws, give back the batch's style loss.
        var perImage = TrainingConfig.Load(WriteTwoStyles(dir));
        TrainerTests.Train(perImage, dir.File("image"), 6);
        foreach (var row in ReadMetrics(dir.File("image")))
        {
            var draws = StyleSchedule.ForBatch(perImage.Seed, (long)row["step"], shares, perImage.BatchSize, StyleSampling.Image);
            double weighted = draws.Sum(d => row["style." + perImage.Styles[d].Name]) / draws.Length;
            Assert.Equal(row["style"], weighted, row["style"] * 1e-5);
        }
    }

    [Fact]
    public void A_run_resumed_from_before_the_painting_columns_keeps_its_metrics_header()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteTwoStyles(dir), ["checkpoint_every=3"]);
        var first = TrainerTests.Train(config, dir.File("run"), 3);
        // An older build wrote no painting columns: drop them, as that run's file would be.
        string metrics = dir.File(Path.Combine("run", "metrics.csv"));
        var header = File.ReadLines(metrics).First().Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => !header[i].StartsWith("style.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(header.Length - 2, keep.Length);
        File.WriteAllLines(metrics, File.ReadAllLines(metrics).Select(l => string.Join(",", keep.Select(i => l.Split(',')[i]))));

        TrainerTests.Train(config, dir.File("run"), 6, resume: first.Checkpoint);
        var lines = File.ReadAllLines(metrics);
        Assert.Equal(string.Join(",", keep.Select(i => header[i])), lines[0]);
        Assert.Equal(["1", "2", "3", "4", "5", "6"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.All(lines, l => Assert.Equal(keep.Length, l.Split(',').Length));
    }

    [Fact]
    public void Init_from_a_network_with_other_styles_matches_rows_by_name_and_starts_new_styles_at_the_mean_row()
    {
        using var dir = new TempDir();
        var (twoStyles, source) = TrainTwoStyleSource(dir);
        string path = dir.File("three.yaml");
        File.WriteAllText(path, WithStyleBlock(twoStyles, """
              - {name: stripes, image: stripes.png}
              - {name: fresh, image: style.png}
              - {name: smooth, image: style.png}
            init_from: source
            """));
        // Learning rate 0: the one step leaves the weights where the warm start put them.
        var recorder = new TrainerTests.Recorder();
        var started = Checkpoint.Load(TrainerTests.Train(TrainingConfig.Load(path, ["learning_rate=0"]), dir.File("three"), 1, observer: recorder).Checkpoint!);
        // The run says which rows came from init_from and which start at the mean.
        var (fromSource, atMean) = Assert.Single(recorder.StyleRows);
        Assert.Equal(["stripes", "smooth"], fromSource);
        Assert.Equal(["fresh"], atMean);

        Assert.Equal(3, started.Architecture.Styles);
        var norms = TransformerWeightLayout.NormTensors(started.Architecture).ToDictionary(t => t.Name, t => t.Channels);
        foreach (var (name, t) in source.NetworkWeights)
        {
            var now = started.NetworkWeights[name].Values;
            if (!norms.TryGetValue(name, out int c))
            {
                Assert.Equal(t.Values, now);
                continue;
            }
            float[] smooth = t.Values[..c], stripes = t.Values[c..(2 * c)];
            Assert.Equal(stripes, now[..c]);
            Assert.Equal(smooth, now[(2 * c)..]);
            for (int i = 0; i < c; i++) Assert.Equal((smooth[i] + stripes[i]) / 2, now[c + i], 1e-6f);
        }
    }

    [Fact]
    public void A_style_with_share_0_is_never_trained_and_the_run_reports_each_styles_draws()
    {
        using var dir = new TempDir();
        string path = WriteTwoStyles(dir);
        File.WriteAllText(path, File.ReadAllText(path).Replace("image: style.png}", "image: style.png, share: 0}"));
        var recorder = new TrainerTests.Recorder();
        var run = Checkpoint.Load(TrainerTests.Train(TrainingConfig.Load(path), dir.File("run"), 4, observer: recorder).Checkpoint!);
        var (sampling, draws) = Assert.Single(recorder.StyleDraws);
        Assert.Equal(StyleSampling.Image, sampling);
        Assert.Equal([("smooth", 0.0), ("stripes", 1.0)], draws);
        // Never drawn: smooth's rows keep their initial scale 1 and shift 0, while stripes' moved.
        foreach (var (name, channels) in TransformerWeightLayout.NormTensors(run.Architecture).Select(t => (t.Name, t.Channels)))
        {
            var values = run.NetworkWeights[name].Values;
            float initial = name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f;
            Assert.All(values[..channels], v => Assert.Equal(initial, v));
            Assert.Contains(values[channels..], v => v != initial);
        }
    }

    [Fact]
    public void Norm_only_runs_default_to_their_own_learning_rate_and_schedule_and_explicit_values_win()
    {
        using var dir = new TempDir();
        string path = TrainerTests.WriteSetup(dir);
        string withoutRate = string.Join("\n", File.ReadAllLines(path).Where(l => !l.StartsWith("learning_rate:", StringComparison.Ordinal)));
        File.WriteAllText(path, withoutRate);
        Assert.Equal(TrainingConfig.Defaults.LearningRate, TrainingConfig.Load(path).LearningRate);
        File.WriteAllText(path, withoutRate + "\ntrain: norm_only\ninit_from: base\n");
        var normOnly = TrainingConfig.Load(path);
        Assert.Equal(TrainingConfig.NormOnlyLearningRate, normOnly.LearningRate);
        Assert.Contains("learning_rate: 0.03\n", normOnly.Describe());
        Assert.Equal(0.005, TrainingConfig.Load(path, ["learning_rate=0.005"]).LearningRate);
        // And to their own schedule, which a partial lr_schedule section fills in from, while other runs keep theirs.
        Assert.Equal(TrainingConfig.Defaults.LrSchedule, TrainingConfig.Load(path, ["train=all"]).LrSchedule);
        Assert.Equal(TrainingConfig.NormOnlySchedule, normOnly.LrSchedule);
        Assert.Contains("final_fraction 0.3", normOnly.Describe());
        File.WriteAllText(path, withoutRate + "\ntrain: norm_only\ninit_from: base\nlr_schedule: {warmup_steps: 5}\n");
        Assert.Equal(TrainingConfig.NormOnlySchedule with { WarmupSteps = 5 }, TrainingConfig.Load(path).LrSchedule);
    }

    [Fact]
    public void The_norm_rate_scale_reaches_the_norm_tables_and_only_them()
    {
        using var dir = new TempDir();
        string path = WriteTwoStyles(dir);
        // Scale 0 is the visible case: every norm table stays at its initial scale 1 / shift 0 while the convolutions train.
        var run = Checkpoint.Load(TrainerTests.Train(TrainingConfig.Load(path, ["norm_lr_scale=0"]), dir.File("run"), 3).Checkpoint!);
        var norms = TransformerWeightLayout.NormTensors(run.Architecture).Select(t => t.Name).ToHashSet();
        foreach (var name in norms)
        {
            float identity = name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f;
            Assert.All(run.NetworkWeights[name].Values, v => Assert.Equal(identity, v));
        }
        // The trainer builds its network right after seeding, so this is the run's starting point.
        torch.manual_seed(TrainingConfig.Load(path).Seed);
        using var start = new TransformerNet(run.Architecture);
        var initial = start.ExportWeights();
        var convolutions = run.NetworkWeights.Keys.Where(k => k.EndsWith(".conv.weight", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(convolutions);
        Assert.All(convolutions, k => Assert.False(run.NetworkWeights[k].Values.SequenceEqual(initial[k].Values), $"'{k}' did not train"));
    }

    [Fact]
    public void Norm_only_adds_a_style_row_and_leaves_every_other_weight_bit_identical()
    {
        using var dir = new TempDir();
        var baseRun = TrainerTests.Train(TrainingConfig.Load(TrainerTests.WriteSetup(dir)), dir.File("base"), 3);
        var before = Checkpoint.Load(baseRun.Checkpoint!);

        WriteStripes(dir.File("stripes.png"));
        string path = dir.File("add.yaml");
        File.WriteAllText(path, File.ReadAllText(dir.File("config.yaml"))
            .Replace("style_image: style.png\n", "styles:\n  - {name: stripes, image: stripes.png}\ntrain: norm_only\ninit_from: base\n"));
        var recorder = new TrainerTests.Recorder();
        var added = TrainerTests.Train(TrainingConfig.Load(path), dir.File("added"), 4, observer: recorder);
        var after = Checkpoint.Load(added.Checkpoint!);
        // The run says what it trains: the new style's rows, as many numbers as one row of every norm table.
        var (frozen, trained, parameters) = Assert.Single(recorder.NormOnly);
        Assert.Equal(["style"], frozen);
        Assert.Equal(["stripes"], trained);

        Assert.Equal(2, after.Architecture.Styles);
        Assert.Equal(1, after.NormOnlyFirstStyle);
        Assert.Equal(["style", "stripes"], after.Styles.Select(s => s.Name));
        Assert.Equal(before.StyleImageSha256, after.Styles[0].ImageSha256);
        var norms = TransformerWeightLayout.NormTensors(after.Architecture).ToDictionary(t => t.Name, t => t.Channels);
        foreach (var (name, t) in before.NetworkWeights)
        {
            var now = after.NetworkWeights[name].Values;
            if (!norms.TryGetValue(name, out int channels))
            {
                Assert.Equal(t.Values, now); // exact float equality: frozen means untouched
                continue;
            }
            Assert.Equal(t.Values, now[..channels]); // the old style's row
        }
        Assert.Equal(norms.Values.Sum(), parameters);
        Assert.Contains(norms.Keys, name => !after.NetworkWeights[name].Values[norms[name]..].SequenceEqual(
            Enumerable.Range(0, norms[name]).Select(c => before.NetworkWeights[name].Values[c]))); // the new row trained
    }

    [Fact]
    public void Norm_only_on_a_style_the_network_holds_refines_its_row_from_where_it_is_and_freezes_the_rest()
    {
        using var dir = new TempDir();
        var (twoStyles, source) = TrainTwoStyleSource(dir);
        string path = WriteNormOnlyOnSource(dir, twoStyles, "refine.yaml", "stripes", "stripes.png");
        var norms = TransformerWeightLayout.NormTensors(source.Architecture).ToDictionary(t => t.Name, t => t.Channels);
        float[] Row(Checkpoint c, string tensor, int row) => c.NetworkWeights[tensor].Values[(row * norms[tensor])..((row + 1) * norms[tensor])];

        // Learning rate 0: the refined row starts at its own trained row, not at the mean of the rows.
        var recorder = new TrainerTests.Recorder();
        var start = Checkpoint.Load(TrainerTests.Train(TrainingConfig.Load(path, ["learning_rate=0"]), dir.File("start"), 1, observer: recorder).Checkpoint!);
        var (frozen, trained, _) = Assert.Single(recorder.NormOnly);
        Assert.Equal(["smooth"], frozen);
        Assert.Equal(["stripes"], trained);
        var (fromSource, atMean) = Assert.Single(recorder.StyleRows);
        Assert.Equal(["stripes"], fromSource);
        Assert.Empty(atMean);
        Assert.Equal(source.Styles, start.Styles); // same two styles, same paintings, same row order
        Assert.Equal(1, start.NormOnlyFirstStyle);
        foreach (var tensor in norms.Keys) Assert.Equal(Row(source, tensor, 1), Row(start, tensor, 1));

        var refined = Checkpoint.Load(TrainerTests.Train(TrainingConfig.Load(path), dir.File("refined"), 4).Checkpoint!);
        Assert.Equal(2, refined.Architecture.Styles);
        foreach (var (name, t) in source.NetworkWeights)
            if (!norms.ContainsKey(name)) Assert.Equal(t.Values, refined.NetworkWeights[name].Values); // convolutions untouched
        foreach (var tensor in norms.Keys) Assert.Equal(Row(source, tensor, 0), Row(refined, tensor, 0)); // smooth frozen
        Assert.Contains(norms.Keys, tensor => !Row(source, tensor, 1).SequenceEqual(Row(refined, tensor, 1))); // stripes trained
    }

    [Fact]
    public void Norm_only_refuses_a_style_name_the_network_holds_for_another_painting()
    {
        using var dir = new TempDir();
        var (twoStyles, _) = TrainTwoStyleSource(dir);
        string path = WriteNormOnlyOnSource(dir, twoStyles, "clash.yaml", "stripes", "style.png");
        var error = Assert.Throws<FastStyleError>(() => TrainerTests.Train(TrainingConfig.Load(path), dir.File("clash"), 1));
        Assert.Contains("already holds a style named 'stripes' trained on another image", error.Message);
    }

    /// <summary>
    /// Dumoulin et al. 2017 sec. 4.2: blending two styles' scale/shift rows blends the styles. Trained on
    /// two very different paintings, a 50/50 mix must be farther from each painting than that painting's
    /// own style and nearer than the other style, in TorchSharp and through the exported ONNX model.
    /// </summary>
    [Fact]
    public void A_mix_of_two_styles_has_style_losses_between_the_two_pure_styles()
    {
        using var dir = new TempDir();
        var config = TrainingConfig.Load(WriteTwoStyles(dir));
        var run = TrainerTests.Train(config, dir.File("run"), 100);
        string model = dir.File("mix.onnx");
        CheckpointExporter.Export(run.Checkpoint!, model);

        var loss = PerceptualLoss.Load(Fixtures.TinyVggPath, config.Loss);
        using var scope = torch.NewDisposeScope();
        var targets = config.Styles.Select(s => loss.Targets(ImageTensors.ToTensor(ImageFile.Load(s.Image)), null)).ToList();
        var content = Fixtures.SmoothImage(40, 40, seed: 7);
        using var stylizer = Stylizer.Load(model);
        double StyleLoss(float[] mix, int painting)
        {
            var output = stylizer.Stylize(content, StyleSettings.Default with { StyleWeights = mix });
            return loss.Compute(ImageTensors.ToTensor(output), targets[painting].StyleGrams, null).ToValues().Style;
        }
        for (int painting = 0; painting < 2; painting++)
        {
            double own = StyleLoss(painting == 0 ? [1f, 0f] : [0f, 1f], painting);
            double other = StyleLoss(painting == 0 ? [0f, 1f] : [1f, 0f], painting);
            double mixed = StyleLoss([0.5f, 0.5f], painting);
            output.WriteLine($"painting {painting}: own style {own:G4}, mix {mixed:G4}, other style {other:G4}");
            Assert.True(own < mixed && mixed < other, $"painting {painting}: own style {own:G4}, mix {mixed:G4}, other style {other:G4}");
        }
    }
}
