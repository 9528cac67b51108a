#pragma once
// What the installable plug-in folder (plugin/packaging/make-tarball) carries beside
// its executables and how they find it. The engine reads dlib's landmark
// model from $BARBERSHOP_LANDMARKS, else from Debian's libdlib-data path,
// which a machine with only GIMP lacks; the folder has its own copy.
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace barbershop::packaging {

inline constexpr char kLandmarkModelFile[] = "shape_predictor_68_face_landmarks.dat";

// Points $BARBERSHOP_LANDMARKS at the model beside the running executable
// when there is one there and the user has not chosen another.
inline void use_bundled_landmark_model() {
  const char* chosen = std::getenv("BARBERSHOP_LANDMARKS");
  if (chosen && *chosen) return;
  char executable[4096];
  const ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
  if (length <= 0) return;
  std::string folder(executable, static_cast<size_t>(length));
  folder.erase(folder.find_last_of('/') + 1);
  const std::string model = folder + kLandmarkModelFile;
  if (access(model.c_str(), R_OK) == 0) setenv("BARBERSHOP_LANDMARKS", model.c_str(), 0);
}

}  // namespace barbershop::packaging
