/* cb_zoo_audio.h - the auditory zoo models (graph builders registered in
 * cb_zoo.c). Input "input" (1, 1, 211, 400):
 * a 2 s cochleagram at 200 Hz (cb_coch.h defaults on 20 kHz sounds, see
 * cb_audio_input.h in src/input); opts in_h / in_w change channels / frames.
 *  "stm-baseline": the STM filterbank (cb_stm.h), layers stm.power and stm (1, 672).
 *  "cochcnn9": Kell et al. 2018's CochCNN9 layout, seeded He-normal (fan_in)
 *    weights, zero biases: conv1 9x9/3 96, relu1, norm1 (LRN size 5,
 *    alpha 1e-3, beta 0.75, bias 1), pool1 max 3/2, conv2 5x5/2 256, relu2,
 *    norm2, pool2 max 3/2, conv3 3x3 512, relu3, conv4 3x3 1024, relu4,
 *    conv5 3x3 512, relu5, pool5 avg 3/2, flatten, fc6 1024 (4096 in Kell
 *    2018, reduced for memory), relu6, fctop 589 (the word classes, untrained).
 *    Padding k/2 (TensorFlow SAME for odd kernels). Conv-layer outputs are
 *    (1, C, freq, time): the extraction averages them over time per unit.
 *  "synthetic-aud-truth": stm-baseline + "voxels" (1, 240) = the generator's
 *    noise-free voxel responses (cb_stm_voxel_weights): build it with the
 *    dataset's seed (the model seed of the suite must equal the dataset seed). */
#ifndef CB_ZOO_AUDIO_H
#define CB_ZOO_AUDIO_H

#include "cb_zoo_impl.h"

cb_status cb_audio_zoo_stm(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);
cb_status cb_audio_zoo_cochcnn9(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);
cb_status cb_audio_zoo_truth(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);

#endif
